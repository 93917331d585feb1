/** Billing: cycles in the billing zone, tariffs, and invoices closed on the readings' own time. Plain Java. */
package org.gridmeter.server.billing;
