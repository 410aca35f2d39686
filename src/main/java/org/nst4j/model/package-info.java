/**
 * The model zoo: CIFAR-style ResNets, wide ResNets and a small CNN built from DJL blocks, each exposing
 * named feature taps next to its logits, with the initialisation of the FMNIST-10k protocol.
 *
 * <p>Depends only on {@code org.nst4j.data} and DJL.
 */
package org.nst4j.model;
