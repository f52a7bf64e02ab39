"""The install's settings pages: the admin's holds them all, the ops settings area the sales process's."""
