"""The definitions a user writes: KPIs, onpace.yml, filters, and the rules that check them."""
