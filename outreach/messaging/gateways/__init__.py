"""The SMS providers parks use: Alibaba Cloud SMS (aliyun.py) and Tencent Cloud SMS
(tencent.py), chosen by ``SMS_BACKEND`` and configured from the environment. Both send only
approved templates with parameters; their answers are mapped to the outbox's outcomes in
answers.py."""
