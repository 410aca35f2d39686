/**
 * The {@code nst4j} command line (picocli): {@code train}, {@code distill}, {@code eval}, {@code loss},
 * {@code demo}, {@code bench}. The top of the package graph; nothing imports it.
 *
 * <p>Error contract: bad input prints one line {@code error: ...} on stderr and exits with code 2, without
 * a stack trace unless {@code --debug} is given, and leaves existing outputs untouched.
 */
package org.nst4j.cli;
