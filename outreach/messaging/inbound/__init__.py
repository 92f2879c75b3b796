"""What the SMS providers push back to the portal: delivery receipts (状态报告 / 回执) and the
liaisons' replies (上行短信), through one endpoint per provider and kind (``views``)."""
