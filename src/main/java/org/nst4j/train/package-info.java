/**
 * Training: the loop shared by teacher training and student distillation, Nesterov SGD with weight decay,
 * learning-rate schedules, evaluation, checkpoints, model cards and run logs.
 *
 * <p>Depends on {@code data}, {@code model} and {@code transfer}; never on {@code experiment} or {@code cli}.
 */
package org.nst4j.train;
