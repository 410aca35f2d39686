/**
 * Image data sets: readers for IDX (Fashion-MNIST, MNIST), CIFAR-10/100 binary and ImageFolder trees,
 * the embedded Fashion-MNIST sample, normalisation, augmentation and deterministic batching.
 *
 * <p>This is the lowest package of nst4j: it depends on nothing else in the project. Everything here is
 * plain Java (no NDArrays), so batches can be produced off the training thread.
 */
package org.nst4j.data;
