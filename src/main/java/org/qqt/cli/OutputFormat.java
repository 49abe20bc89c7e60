package org.qqt.cli;

/** How a command prints its result on stdout. */
enum OutputFormat { json, csv, table }
