// Imported before any function module: the functions' logger reads its level once, at construction.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
