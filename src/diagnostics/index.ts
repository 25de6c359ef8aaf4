/** Diagnostics: performance reports and task-graph pictures (depends on src/graph only). */
export { performanceReport, type PerformanceReportOptions } from "./performance-report.js";
export { visualize, toDot, MAX_TASKS_DRAWN, type VisualizeOptions } from "./visualize.js";
