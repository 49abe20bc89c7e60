package org.qqt.data;

/** The kinds of CLIP_benchmark webdataset tasks qqt reads and writes ({@code dataset_type.txt}). */
public enum TaskKind { CLASSIFICATION, RETRIEVAL }
