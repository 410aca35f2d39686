/**
 * The model zoo: CIFAR-style ResNets (post- and pre-activation), wide ResNets, ImageNet ResNets, BN-Inception
 * (ImageNet and CIFAR variants) and a small CNN built from DJL blocks, each exposing
 * named feature taps next to its logits, with the initialisation of the FMNIST-10k protocol.
 *
 * <p>Depends only on {@code org.nst4j.data} and DJL.
 */
package org.nst4j.model;
