/**
 * Experiments: grids of (method, seed) runs described by a YAML file, run with skip-and-resume through
 * {@link org.nst4j.train.TrainingRun}, and summarised as {@code results.md}, {@code results.csv} and PNG
 * plots; hyper-parameter sweeps on a validation split carved from the training data.
 *
 * <p>Depends on {@code data}, {@code model}, {@code transfer}, {@code store}, {@code train} and {@code bench}
 * (the inference-speed section of a report and each run's {@code machine.json}); never on {@code cli}.
 * Checked by {@code org.nst4j.ArchitectureTest}. Reports are pure functions of the run folders (and the
 * experiment's description), so rebuilding them on a finished grid gives the same bytes.
 */
package org.nst4j.experiment;
