/**
 * Experiments: grids of (method, seed) runs described by a YAML file, run with skip-and-resume through
 * {@link org.nst4j.train.TrainingRun}, and summarised as {@code results.md}, {@code results.csv} and PNG
 * plots; hyper-parameter sweeps on a validation split carved from the training data. A grid runs here one
 * cell after the other ({@link org.nst4j.experiment.GridRunner}) or on a Slurm cluster as a job array plus a
 * report job ({@link org.nst4j.experiment.SlurmExecutor}: scripts by {@link org.nst4j.experiment.SlurmScript},
 * {@code sbatch}/{@code squeue} run as processes by {@link org.nst4j.experiment.Slurm}); {@link
 * org.nst4j.experiment.GridStatus} tells each cell's state. Detection experiments ({@link
 * org.nst4j.experiment.DetectionExperiment}, read by {@link org.nst4j.experiment.DetectionExperimentFile}) train
 * grids of detectors through {@code org.nst4j.detection.DetectorTraining} the same way.
 *
 * <p>Depends on {@code data}, {@code model}, {@code transfer}, {@code store}, {@code train}, {@code bench}
 * (the inference-speed section of a report and each run's {@code machine.json}) and {@code detection} (detection
 * experiments); never on {@code cli}.
 * Checked by {@code org.nst4j.ArchitectureTest}. Reports are pure functions of the run folders (and the
 * experiment's description), so rebuilding them on a finished grid gives the same bytes.
 */
package org.nst4j.experiment;
