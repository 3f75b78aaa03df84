"""Bizinfo feed import: where announcements and catalogue rows are read and kept."""
