pub fn todo_import() {}
