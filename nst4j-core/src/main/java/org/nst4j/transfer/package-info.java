/**
 * Transfer losses: CE, KD, FitNet, AT and Neuron Selectivity Transfer (MMD² with linear, polynomial and
 * Gaussian kernels), and their sums, as specified in {@code shared/spec/transfer-losses.md}.
 *
 * <p>In a plain DJL training loop, {@link org.nst4j.transfer.DistillationBlock} (student, the objective's
 * trained modules as parameters, the frozen teacher run in its forward) and its {@link
 * org.nst4j.transfer.DistillationLoss} (a DJL {@code Loss} for any method string) make {@code EasyTrain.fit}
 * distil.
 *
 * <p>Depends only on {@code org.nst4j.model} (for {@link org.nst4j.model.ModelOutput}) and DJL; reading
 * saved tensors is {@code data}'s ({@code NpyFile}), and timing the losses is {@code bench}'s ({@code
 * NstBenchmark}). Checked by {@code org.nst4j.ArchitectureTest}.
 */
package org.nst4j.transfer;
