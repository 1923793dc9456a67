// Imported before any function module, by a test that reads what the functions log at INFO:
// the functions' logger reads its level once, at construction.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
