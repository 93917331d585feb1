/** Users (one per meter id): the record, the in-memory directory, and the commands that change them. */
package org.gridmeter.server.users;
