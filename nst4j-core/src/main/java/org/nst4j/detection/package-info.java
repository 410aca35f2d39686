/**
 * Object detection: COCO-style data sets (reader and writer), the FMNIST-Det benchmark generator, COCO
 * results files and the COCO / VOC07 evaluation of detections; a CenterNet-style detector, its training and
 * distillation, evaluation and drawing.
 *
 * <p>Boxes are COCO boxes, {@code [x, y, width, height]} in pixels with continuous coordinates: a box covering
 * pixel columns 3..5 is {@code x = 3, width = 3}. Every reader reports bad input as {@link
 * org.nst4j.data.DataFormatException} with a one-line message naming the file and the defect, which the CLI
 * prints as its {@code error:} line.
 *
 * <p>Depends on {@code org.nst4j.data}, {@code org.nst4j.model} (the detector on a zoo backbone),
 * {@code org.nst4j.store} (a classification run's model as the backbone's start; JSON files) and
 * {@code org.nst4j.train}: training the detector ({@link org.nst4j.detection.DetectorTraining}) follows the
 * classification runs' contract and reuses their pieces — Nesterov SGD, the learning-rate schedule, the run
 * folder with its lock, the checkpoint, the run identity, the progress display — rather than a second copy of
 * each; and on {@code org.nst4j.transfer}: a detector is distilled from a teacher detector with the registry's
 * methods on its backbone's taps ({@link org.nst4j.detection.BackboneDistillation}). Hence {@code detection} sits
 * above {@code train}; never on the CLI or the experiment code (which runs detection experiments on top of it).
 */
package org.nst4j.detection;
