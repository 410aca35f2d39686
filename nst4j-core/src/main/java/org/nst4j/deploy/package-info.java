/**
 * Deployable students: {@link org.nst4j.deploy.ModelExport} writes a trained model as a DJL model folder
 * that plain DJL loads with {@code Criteria} (through {@link org.nst4j.deploy.ModelBlockFactory} and {@link
 * org.nst4j.deploy.ImageClassifierTranslatorFactory}), and {@link org.nst4j.deploy.Classifier} classifies
 * images with it in two lines. The subpackage {@code org.nst4j.deploy.onnx} writes a student as an ONNX file
 * instead.
 *
 * <p>Depends on {@code org.nst4j.data} (image decoding and normalisation exactly as in training), {@code
 * org.nst4j.model} and {@code org.nst4j.store} (model cards and the model store), not on training; only
 * {@code org.nst4j.cli} depends on it. Checked by {@code org.nst4j.ArchitectureTest}.
 */
package org.nst4j.deploy;
