/**
 * The model zoo: CIFAR-style ResNets (post- and pre-activation), wide ResNets, ImageNet ResNets, BN-Inception
 * (ImageNet and CIFAR variants) and a small CNN built from DJL blocks, each exposing
 * named feature taps next to its logits, with the initialisation of the FMNIST-10k protocol; TorchScript
 * teachers behind the same {@link org.nst4j.model.TappedModel} face.
 *
 * <p>For Java users' own models: {@link org.nst4j.model.TappedBlock} exposes the taps of any DJL block (the
 * children of a {@code SequentialBlock}, or the maps a block returns after its logits) without subclassing;
 * {@link org.nst4j.model.ChainedModel} and {@link org.nst4j.model.Layers} are the zoo's builders; {@link
 * org.nst4j.model.ModelZoo#register} names a custom architecture so that saved copies of it can be rebuilt.
 *
 * <p>One name per concept: {@link org.nst4j.model.ModelZoo} makes a model from its name, {@link
 * org.nst4j.model.Models} works on a live one (forward, parameter count, description, parameter bytes), and
 * {@code org.nst4j.store.ModelStore} keeps a trained one on disk with its card; {@link
 * org.nst4j.model.ModelGraph} describes its inference forward pass through {@link org.nst4j.model.GraphOps}
 * for exporters (the ONNX export), each block kind in its own class.
 *
 * <p>Depends only on {@code org.nst4j.data} (for {@link org.nst4j.data.DataFormatException}) and DJL
 * (checked by {@code org.nst4j.ArchitectureTest}).
 */
package org.nst4j.model;
