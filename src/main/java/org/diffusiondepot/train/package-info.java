/**
 * Training: the one {@link org.diffusiondepot.train.TrainLoop} (resume, cadence, progress, stop,
 * checkpoints, TensorBoard events, summary) and what each kind of model plugs into it, a {@link
 * org.diffusiondepot.train.TrainingModel}: {@link org.diffusiondepot.train.DiffusionTraining} for
 * denoisers (their {@link org.diffusiondepot.train.TrainingGraph}) and, in the first-stage package,
 * the VQGAN.
 */
package org.diffusiondepot.train;
