/**
 * TensorBoard event files written and read on the host, without TensorFlow ops, so a training run
 * can be watched with {@code tensorboard --logdir RUN_DIR}. {@link
 * org.diffusiondepot.events.TfRecordWriter} and {@link org.diffusiondepot.events.TfRecordReader}
 * do the TFRecord framing; {@link org.diffusiondepot.events.EventWriter} and {@link
 * org.diffusiondepot.events.EventReader} put {@code org.tensorflow.proto.Event} protos in it.
 */
package org.diffusiondepot.events;
