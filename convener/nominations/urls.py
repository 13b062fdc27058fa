from django.urls import path

from . import feeds, views

app_name = "nominations"
urlpatterns = [
    path("calls/", views.call_list, name="calls"),
    path("calls/feed.ics", feeds.ics_feed, name="feed_ics"),
    path("calls/feed.atom", feeds.atom_feed, name="feed_atom"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("calls/<int:pk>/manage/", views.manage, name="manage"),
    path("calls/<int:pk>/review/", views.review, name="review"),
    path("calls/<int:pk>/review/recommend/", views.recommend, name="recommend"),
    path("calls/<int:pk>/review/<int:cpk>/declare/", views.declare, name="declare"),
    path("calls/<int:pk>/review/<int:cpk>/score/", views.score, name="score"),
    path("calls/<int:pk>/review/<int:cpk>/vote/", views.vote, name="vote"),
    path("nominations/mine/", views.my_nominations, name="mine"),
    path("nominations/<int:pk>/consent/", views.consent, name="consent"),
    path("nominations/<int:pk>/decline/", views.decline, name="decline"),
    path("nominations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
