-- Placeholder on branch dbench: V14 is another change's migration. At the merge, take that V14
-- (file and index line) and delete this file.
SELECT 1;
