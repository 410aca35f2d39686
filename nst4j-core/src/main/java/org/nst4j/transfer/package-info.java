/**
 * Transfer losses: CE, KD, FitNet, AT and Neuron Selectivity Transfer (MMD² with linear, polynomial and
 * Gaussian kernels), and their sums, as specified in {@code shared/spec/transfer-losses.md}.
 *
 * <p>Depends only on {@code org.nst4j.model} (for {@link org.nst4j.model.ModelOutput}) and DJL; reading
 * saved tensors is {@code data}'s ({@code NpyFile}), and timing the losses is {@code bench}'s ({@code
 * NstBenchmark}). Checked by {@code org.nst4j.ArchitectureTest}.
 */
package org.nst4j.transfer;
