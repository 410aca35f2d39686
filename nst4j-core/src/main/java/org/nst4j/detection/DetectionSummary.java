package org.nst4j.detection;

import java.util.List;

/**
 * The outcome of a detector's training run, written as {@code <out>/summary.json}: the final model's COCO
 * and VOC07 figures on the test split (from {@code detections.json} against {@code ground-truth.json}, both
 * in the run folder), and what the run cost.
 *
 * @param role always {@code detector}
 * @param arch the backbone architecture
 * @param tap the tap the heads read
 * @param backbone the classification run the backbone started from, or null (seeded initialisation)
 * @param data the data set folder
 * @param seed the run's seed
 * @param epochs epochs trained
 * @param batchSize images per batch
 * @param learningRate the base learning rate
 * @param trainImages training scenes
 * @param testImages test scenes evaluated
 * @param testObjects objects in them (crowd regions not counted)
 * @param detections detections written
 * @param ap COCO AP at IoU .50:.05:.95
 * @param ap50 AP at IoU .50
 * @param ap75 AP at IoU .75
 * @param apSmall AP of small objects (area &lt; 32²), -1 if none
 * @param apMedium AP of medium objects, -1 if none
 * @param apLarge AP of large objects (area &gt; 96²), -1 if none
 * @param ar100 AR with 100 detections per image
 * @param voc07Map VOC07 11-point mAP at IoU .5
 * @param finalLoss the last epoch's mean training loss
 * @param wallSeconds the run's wall-clock time (of all its sessions, when resumed)
 * @param secondsPerEpoch training time of each epoch
 * @param evalSeconds time of the final evaluation (forward passes, decoding, COCO and VOC07)
 * @param peakRssMb peak resident memory of the (last) process, MiB
 * @param command the command line
 * @param method the transfer method on the backbone's taps ({@code ce}: none); null in older summaries
 * @param teacher the teacher detector it was distilled from, or null
 */
public record DetectionSummary(
    String role,
    String arch,
    String tap,
    String backbone,
    String data,
    long seed,
    int epochs,
    int batchSize,
    double learningRate,
    int trainImages,
    int testImages,
    int testObjects,
    int detections,
    double ap,
    double ap50,
    double ap75,
    double apSmall,
    double apMedium,
    double apLarge,
    double ar100,
    double voc07Map,
    double finalLoss,
    double wallSeconds,
    List<Double> secondsPerEpoch,
    double evalSeconds,
    double peakRssMb,
    String command,
    String method,
    String teacher) {
  /** Copies the list. */
  public DetectionSummary {
    secondsPerEpoch = List.copyOf(secondsPerEpoch);
  }
}
