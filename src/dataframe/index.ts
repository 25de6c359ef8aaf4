/** The DataFrame collection: danfo.js's API over partitioned Arrow record batches. */
export { DataFrame, type MapPartitionsOptions, type FromGraphOptions } from "./frame.js";
export { Series, StringAccessor, DatetimeAccessor, seriesParts, notChunked, type Operand, type ApplyOptions, type SeriesParts } from "./series.js";
export { Scalar } from "./scalar.js";
export { fromDanfo, fromArrow, fromPartitions, splitLengths, type FromOptions } from "./edges.js";
export {
  danfoDtype, parseDtype, frameMeta, getColumn, metaTable, sameMeta, isNumeric,
  type Dtype, type ColumnMeta, type FrameMeta,
} from "./meta.js";
export {
  makePartition, readColumn, fromValues, toValues, partitionMeta, emptyPartition, encodePartition, decodePartition,
  arrowSchema, type Partition, type ColumnData,
} from "./partition.js";
export { partitionsToDanfo, partitionsToDanfoSeries, partitionsToValues, partitionFromValues, loadDanfo } from "./danfo.js";
export type { SourceExpr, FrameExpr } from "./expr/frame-expr.js";
export { lowerFrame } from "./expr/lower.js";
export { merge, type MergeOptions } from "./verbs/merge.js";
export { concat, type ConcatOptions } from "./verbs/concat.js";
