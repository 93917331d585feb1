/** Load curves of simulated meters: residential, commercial, constant. */
package org.gridmeter.meter.profile;
