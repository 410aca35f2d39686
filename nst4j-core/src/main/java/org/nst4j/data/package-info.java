/**
 * Image data sets: readers for IDX (Fashion-MNIST, MNIST), CIFAR-10/100 binary and ImageFolder trees,
 * the embedded Fashion-MNIST sample, normalisation, augmentation and deterministic batching ({@link
 * org.nst4j.data.BatchSource}, the batches a training loop reads, whatever holds the images; {@link
 * org.nst4j.data.BatchLoader} for nst4j's own data sets); and NumPy
 * {@code .npy} files ({@link org.nst4j.data.NpyFile}), the saved tensors the {@code loss} command reads.
 *
 * <p>This is the lowest package of nst4j: it depends on nothing else in the project. Everything here is
 * plain Java (no DJL, no NDArrays), so batches can be produced off the training thread; the layer that
 * holds an NDManager makes NDArrays of what is read here. Both rules are checked by {@code
 * org.nst4j.ArchitectureTest}.
 */
package org.nst4j.data;
