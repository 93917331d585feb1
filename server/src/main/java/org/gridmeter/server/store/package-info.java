/** Storage: the SQLite schema, its migrations, and the writer's and readers' SQL. */
package org.gridmeter.server.store;
