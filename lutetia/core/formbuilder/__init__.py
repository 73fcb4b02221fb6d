"""The form builder shared by services: typed field blocks, their JSON snapshot, Django fields."""
