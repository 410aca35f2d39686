/**
 * Object detection: COCO-style data sets (reader and writer), the FMNIST-Det benchmark generator, COCO
 * results files and the COCO / VOC07 evaluation of detections.
 *
 * <p>Boxes are COCO boxes, {@code [x, y, width, height]} in pixels with continuous coordinates: a box covering
 * pixel columns 3..5 is {@code x = 3, width = 3}. Every reader reports bad input as {@link
 * org.nst4j.data.DataFormatException} with a one-line message naming the file and the defect, which the CLI
 * prints as its {@code error:} line.
 *
 * <p>Depends on {@code org.nst4j.data} and {@code org.nst4j.model} (the detector on a zoo backbone); never on the CLI or the
 * experiment code.
 */
package org.nst4j.detection;
