"""Synthetic demo data: a simulated multichannel retailer to try onpace on without real data."""
