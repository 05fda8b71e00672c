/**
 * The run directory and what every job shares around it: its layout and config adoption ({@link
 * org.diffusiondepot.run.RunDirectory}), checkpoints published atomically ({@link
 * org.diffusiondepot.run.CheckpointStore}), the data a run reads ({@link
 * org.diffusiondepot.run.TrainingData}) and the Ctrl-C / SIGTERM signal a long job stops on
 * ({@link org.diffusiondepot.run.StopSignal}). Training, export, evaluation and reports use it; it
 * knows nothing of models.
 */
package org.diffusiondepot.run;
