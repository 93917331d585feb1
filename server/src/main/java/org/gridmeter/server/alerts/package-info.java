/** Alerts: excess consumption, large variation and silent meters, as events with a start, an end and a reason. */
package org.gridmeter.server.alerts;
