/**
 * Training: the loop shared by teacher training and student distillation, Nesterov SGD with weight decay,
 * learning-rate schedules, evaluation, checkpoints, run folders and run logs; and the teachers of every
 * distillation ({@link org.nst4j.train.Teachers}: from a run or model folder, a TorchScript file, or any DJL
 * {@code Model} with tap names — frozen, for the command line and for Java users' own DJL loops).
 *
 * <p>Java users train with nst4j's own loop through {@link org.nst4j.train.TrainingLoop#builder()}: nst4j's data
 * sets or any DJL {@code RandomAccessDataset} ({@link org.nst4j.train.DjlDatasetBatches}), a checkpoint folder
 * and {@code optResume}, then {@link org.nst4j.train.TrainingLoop#run()}.
 *
 * <p>Depends on {@code data}, {@code model}, {@code transfer} and {@code store} (a trained model is saved
 * there with its card); never on {@code bench}, {@code experiment}, {@code deploy} or {@code cli}. Checked by
 * {@code org.nst4j.ArchitectureTest}.
 */
package org.nst4j.train;
