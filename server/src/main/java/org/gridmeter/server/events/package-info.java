/** Live events (readings, alerts, invoices) for the event stream, published after they are committed. */
package org.gridmeter.server.events;
