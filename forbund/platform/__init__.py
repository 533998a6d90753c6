"""The platform administration: the förbund of the installation and the guided start of a new one."""
