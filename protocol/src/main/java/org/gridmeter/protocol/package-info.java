/** The meter datagram format, version 1 and legacy: value types and pure codecs (JDK only, no Netty). */
package org.gridmeter.protocol;
