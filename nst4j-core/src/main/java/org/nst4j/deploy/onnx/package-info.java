/**
 * ONNX export of the zoo's students: {@link org.nst4j.deploy.onnx.OnnxExport} writes a trained model as an
 * {@code .onnx} file (opset 17, BatchNorm folded into the convolutions, input {@code images} with a dynamic
 * batch, output {@code logits}, optionally the taps), with protobuf-java and the ONNX schema ({@code
 * src/main/proto/onnx.proto}, ONNX 1.18.0) compiled at build time into {@code
 * org.nst4j.deploy.onnx.proto}.
 *
 * <p>The graph comes from {@code org.nst4j.model.ModelGraph}: each block kind of the zoo describes its
 * inference forward pass once, next to its forward pass, through the operations of {@code
 * org.nst4j.model.GraphOps}; {@code OnnxGraph} is the one place where each of those operations becomes ONNX
 * nodes. Part of the {@code deploy} layer (same imports allowed; checked by {@code org.nst4j.ArchitectureTest}).
 */
package org.nst4j.deploy.onnx;
