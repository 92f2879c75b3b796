"""WeCom (企业微信) group robots: the park's liaison groups per grid, posted to by staff.

A robot (群机器人) is a webhook with a secret key; a post is one message to one robot, written
as a row and delivered by the outbox's worker at no more than the robot's 20 messages a minute.
"""
