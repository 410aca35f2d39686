/**
 * The {@code nst4j} command line (picocli): {@code train}, {@code distill}, {@code eval}, {@code loss},
 * {@code demo}, {@code bench} and the rest. The top of the package graph: nothing imports it, and nothing
 * below it uses picocli (both checked by {@code org.nst4j.ArchitectureTest}).
 *
 * <p>Error contract: bad input prints one line {@code error: ...} on stderr and exits with code 2, without
 * a stack trace unless {@code --debug} is given, and leaves existing outputs untouched.
 */
package org.nst4j.cli;
