/** The usage domain: how readings become consumption (duplicates, late readings, resets, glitches). Plain Java. */
package org.gridmeter.server.usage;
