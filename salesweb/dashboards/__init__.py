"""The role homes (rep Today, manager, support, ops) and the pages that hang off them: thin pages over figures."""
