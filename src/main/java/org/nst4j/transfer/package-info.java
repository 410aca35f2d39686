/**
 * Transfer losses: CE, KD, FitNet, AT and Neuron Selectivity Transfer (MMD² with linear, polynomial and
 * Gaussian kernels), and their sums, as specified in {@code shared/spec/transfer-losses.md}.
 *
 * <p>Depends on {@code org.nst4j.model} (for {@link org.nst4j.model.ModelOutput}) and DJL.
 */
package org.nst4j.transfer;
