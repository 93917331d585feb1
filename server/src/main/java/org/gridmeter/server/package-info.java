/** The GridMeter server: configuration, wiring and lifecycle. */
package org.gridmeter.server;
