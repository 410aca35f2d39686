/**
 * What nst4j keeps on disk for others to read: saved models ({@link org.nst4j.store.ModelStore}: DJL's
 * parameter file with a {@link org.nst4j.store.ModelCard} beside it in {@code model.json}) and the JSON
 * conventions of every file it writes ({@link org.nst4j.store.Json}: snake_case keys, atomic writes,
 * JSON-lines logs).
 *
 * <p>Depends on {@code model} (a card names a zoo architecture; loading rebuilds it) and, through it, {@code
 * data}. Training writes models here, and {@code deploy} reads them without depending on training.
 */
package org.nst4j.store;
