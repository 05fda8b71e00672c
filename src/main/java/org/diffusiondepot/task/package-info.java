/**
 * One home per task. {@link org.diffusiondepot.task.DiffusionTask} and its four subclasses
 * (unconditional, class-conditional, inpainting, super-resolution) know how a task's conditioning
 * is drawn for training and for held-out images, what the denoiser takes (the {@link
 * org.diffusiondepot.task.SignatureInput}s of the {@link org.diffusiondepot.task.ExportContract})
 * and how it is fed, what x_0 is, what constrains a sampling chain and how samples are shown
 * ({@link org.diffusiondepot.task.Panels}). Training, export, the sampler, evaluation, reports and
 * the browser UI all ask a task rather than branch on its kind. Part of the sampler jar: no
 * training code here.
 */
package org.diffusiondepot.task;
