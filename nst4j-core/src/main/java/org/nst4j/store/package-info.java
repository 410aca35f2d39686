/**
 * What nst4j keeps on disk for others to read: saved models ({@link org.nst4j.store.ModelStore}: DJL's
 * parameter file with a {@link org.nst4j.store.ModelCard} beside it in {@code model.json}) and the JSON
 * conventions of every file it writes ({@link org.nst4j.store.Json}: snake_case keys, atomic writes,
 * JSON-lines logs).
 *
 * <p>Depends on {@code model} (a card names a zoo architecture, or a custom one registered with {@code
 * ModelZoo.register}; loading rebuilds it: {@link org.nst4j.store.ModelStore#create}) and {@code data} (a
 * card's normalisation, {@link org.nst4j.store.ModelCard#of}). Training writes models here, and {@code deploy} reads them without depending on training.
 */
package org.nst4j.store;
