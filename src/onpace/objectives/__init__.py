"""Strategic objectives: the tree in objectives.yml, its roll-up of KPI attainment, its editing."""
