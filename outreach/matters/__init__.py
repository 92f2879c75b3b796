"""The first-contact desk (诉求受理 → 派单 → 答复 → 回访): matters enterprises bring to the park,
their routing, answers, the requester's satisfaction and the three rates (响应率 / 解决率 /
满意率). Issue 18; the domain is in docs/CHANGELOG.md, "Issue 18" and shared/seeds/001."""
